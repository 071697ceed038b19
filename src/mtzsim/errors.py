"""Errors that mtzsim reports to users: one message that names the field, exit code 2."""


class InputError(ValueError):
    """Bad user input: a value, unit, key or file that mtzsim refuses.

    Parameters
    ----------
    field : str
        The name of the offending field as the user wrote it (``energy``,
        ``pattern.density``, ``--spot``).
    message : str
        What is wrong and what is expected.
    line : int, optional
        Line in the scenario file, where the parser gives one.
    """

    exit_code = 2

    def __init__(self, field: str, message: str, *, line: int | None = None):
        self.field = field
        self.message = message
        self.line = line
        where = f" (line {line})" if line is not None else ""
        super().__init__(f"{field}{where}: {message}")
