"""The two ways a pathway rule says no. Every app's services raise these (or subclasses), so
one helper can show any refusal to the person who asked."""


class Refused(Exception):
    """A step the programme does not allow, with the reason in plain English."""


class Incomplete(Refused):
    """Something needed is missing: `errors` maps form field names (with any prefix) to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("Some details are missing")
        self.errors = errors
