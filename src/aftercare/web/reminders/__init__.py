"""Reminders: the schedule turned into rows, the workers that send them, and opting out."""
