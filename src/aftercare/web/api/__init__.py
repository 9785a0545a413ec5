"""The JSON API under /api/: django-ninja, OpenAPI 3.1, problem+json errors.

Clinic systems call it with a clinic's API key; a patient's browser calls the ``/me``
routes with the portal session; the stateless routes hold no patient data.
"""
