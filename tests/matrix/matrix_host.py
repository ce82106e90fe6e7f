"""Running a matrix host in a child process and reading what it printed:
the verdict, the loader's message, and what went wrong in a forced load."""

import re
import resource
import signal
import subprocess
import sys

# What matrix_host's exit status means (host.cc).
HOST_CORRECT, HOST_WRONG_RESULT, HOST_REFUSED, HOST_ERROR = 0, 4, 10, 11
HOST_STATE_CHANGED = 5  # the probe was right, the thread's FP state was not

# ------------------------------------------------------- running the host


def no_core_dumps():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


# How long a host may run. The probes take microseconds; a forced load that
# runs this long is a hang (pack_struct's walks a std::set whose links it
# misreads), and waiting longer would only spend CI time spinning.
TIMEOUTS = {"force": 15}
DEFAULT_TIMEOUT = 60


def run_host(host, *arguments):
    """Runs a matrix host in a child process; never raises for its outcome."""
    command = [host, *arguments]
    print("+", " ".join(command), flush=True)
    timeout = TIMEOUTS.get(arguments[0], DEFAULT_TIMEOUT)
    try:
        result = subprocess.run(command, capture_output=True, text=True,
                                errors="replace", timeout=timeout,
                                preexec_fn=no_core_dumps)
    except subprocess.TimeoutExpired as expired:
        return {"status": None, "stdout": text_of(expired.stdout),
                "stderr": text_of(expired.stderr), "timeout": True}
    sys.stdout.write(indent(result.stdout))
    sys.stdout.write(indent(result.stderr))
    return {"status": result.returncode, "stdout": result.stdout,
            "stderr": result.stderr, "timeout": False}


def text_of(output):
    """What a timed-out child wrote: bytes or str, depending on the Python."""
    if isinstance(output, bytes):
        return output.decode("utf-8", "replace")
    return output or ""


def indent(text):
    return "".join("    | " + line + "\n" for line in text.splitlines())


def value_of(output, key):
    """The value of the last "key: value" line of the host's output."""
    found = None
    for line in output.splitlines():
        if line.startswith(key + ": "):
            found = line[len(key) + 2:]
    return found


def message_of(output):
    """The loader's message: the "message:" line and the lines after it."""
    at = output.find("message: ")
    return output[at + len("message: "):] if at >= 0 else ""


def refused_fields(message):
    return re.findall(r"^  ([a-z0-9_.-]+): ", message, re.MULTILINE)


# The line of a dying child's stderr that says what went wrong, by what
# prints it: libstdc++'s debug mode, the sanitizers, glibc's malloc, the C++
# runtime.
DIAGNOSTICS = (r"^Error: ", r"ERROR: ", r"^(free|malloc|realloc|double free)",
               r"^terminate called", r"error")


def first_diagnostic(stderr):
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for pattern in DIAGNOSTICS:
        for line in lines:
            if re.search(pattern, line):
                return shorten(line)
    return shorten(lines[0]) if lines else ""


def shorten(text, limit=160):
    text = re.sub(r"==\d+==", "", text).strip()
    return text if len(text) <= limit else text[:limit - 3] + "..."


def describe_forced(outcome, plugin):
    """What went wrong when the plugin was loaded without the check."""
    if outcome["timeout"]:
        return "hang", "the process hangs (killed after %d s, at step %s)" % (
            TIMEOUTS["force"], value_of(outcome["stdout"], "step") or "start")
    status, stdout = outcome["status"], outcome["stdout"]
    step = value_of(stdout, "step") or "start"
    if status < 0:
        name = signal.Signals(-status).name
        detail = first_diagnostic(outcome["stderr"])
        where = {"probe": "in the probe", "destroy": "when the host frees the "
                 "string the plugin wrote", "check": "after the probe",
                 "dlopen": "in dlopen"}.get(step, "at step " + step)
        text = "crash: %s %s" % (name, where)
        if detail:
            text += " (`%s`)" % detail
        values = value_of(stdout, "values")
        if values and values != "correct":
            text = "wrong result (%s), then %s" % (values, text)
        return "crash", text
    if status == HOST_STATE_CHANGED:
        return "state changed", ("the probe is right, but the host's "
                                 "floating-point state changed: " +
                                 value_of(stdout, "state")[len("changed: "):])
    if status == HOST_WRONG_RESULT:
        return "wrong result", "wrong result: " + value_of(stdout, "result")[
            len("wrong: "):]
    dlopen = value_of(stdout, "dlopen")
    if dlopen:
        reason = dlopen[len("failed: "):].replace(plugin, "probe.so")
        return "dlopen failure", "dlopen fails: `%s`" % reason
    if status == HOST_CORRECT:
        return "none", "no failure observed: the probe computed the right values"
    detail = first_diagnostic(outcome["stderr"])
    return "exit", "the process exits with status %d at step %s%s" % (
        status, step, " (`%s`)" % detail if detail else "")
