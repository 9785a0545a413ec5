"""The Django edge: clinic staff pages, the patient portal, the API and reminders.

Models store inputs and frozen history; everything derived comes from the engine.
"""
