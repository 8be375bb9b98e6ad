from register.models import Organisation


def organisation(request):
    """Put the organisation that keeps the register into every template's context."""
    return {"organisation": Organisation.current()}
