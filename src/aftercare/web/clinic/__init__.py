"""Clinics, their staff, patients, screenings, treatments, check-ins and the audit log."""
