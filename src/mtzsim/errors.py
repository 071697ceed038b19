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


class ModelDomainError(ValueError):
    """A refusal by the core: the input lies outside what a model or its numerics hold.

    A ValueError (the core's error) that knows which user setting to change, so the edge (CLI,
    scenario runs, web) turns it into ``InputError(err.field, err.message)`` (exit code 2)
    without guessing the field from the message.

    Parameters
    ----------
    field : str
        The scenario key of the setting to change (``laser.spot``, ``numerics.mtz_cell``).
    message : str
        What the model cannot hold and what to change; also the error's text.
    """

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(message)

    def __reduce__(self):
        # rebuilt from (field, message): a refusal raised in a sweep's Dask worker reaches the client whole
        return self.__class__, (self.field, self.message)


def caused_by_interrupt(error: BaseException) -> bool:
    """Whether ``error`` comes from a Ctrl-C: a KeyboardInterrupt in its chain of causes and contexts.

    An interrupt that lands while a C extension initialises surfaces as ``ImportError("initialization failed")``
    raised from the KeyboardInterrupt, not as the KeyboardInterrupt itself; the command line reports it as the
    interrupt it is ("interrupted", exit 130) instead of a traceback.
    """
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, KeyboardInterrupt):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False
