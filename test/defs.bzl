"""The test targets' common shape, so that test/BUILD says only what is each test's own."""

_LIB = "//src/preload:libpipetrace.so"
_BIN = "//tools:pipetrace"

def pipetrace_test(name, lib = True, bin = True, data = [], env = {}, **kwargs):
    """A cc_test that finds the built library and CLI.

    The test gets the preload library as $PIPETRACE_LIB (lib = True) and the
    `pipetrace` CLI as $PIPETRACE_BIN (bin = True), both in its runfiles;
    test/harness.h's LibPath() and CliPath() read them.

    Args:
      name: the test's name.
      lib: whether the test runs programs under the preload library.
      bin: whether the test runs the CLI.
      data: the test's other runfiles (programs, scripts).
      env: the test's other environment variables.
      **kwargs: passed to cc_test (srcs, deps, size, tags, args...).
    """
    tools = ([_LIB] if lib else []) + ([_BIN] if bin else [])
    tool_env = {}
    if lib:
        tool_env["PIPETRACE_LIB"] = "$(rootpath %s)" % _LIB
    if bin:
        tool_env["PIPETRACE_BIN"] = "$(rootpath %s)" % _BIN
    tool_env.update(env)
    all_data = []
    for label in tools + data:
        if label not in all_data:
            all_data.append(label)
    native.cc_test(name = name, data = all_data, env = tool_env, **kwargs)
