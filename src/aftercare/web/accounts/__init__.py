"""Staff accounts: passwords (change, reset by email) and two-factor sign-in, under /account/."""
