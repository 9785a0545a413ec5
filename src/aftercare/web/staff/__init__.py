"""The clinic's pages: every view takes a ``StaffRequest`` scoped to one clinic."""
