"""The patient portal: phone-first pages for one signed-in patient, no account needed."""
