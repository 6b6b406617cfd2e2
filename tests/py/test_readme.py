# SPDX-License-Identifier: MIT
"""README.md as a newcomer types it: every command it shows runs, as typed,
in a fresh copy of this tree, and prints what the README says it prints.
Then `make clean` in that copy leaves nothing the build made.

The README's code blocks, in order, make one shell session (sh) that starts
in the copy's top folder, with HOME a fresh folder (so ~/mpx-venv is new):

  ```console   lines "$ COMMAND" (a trailing "\\" continues it on the next
               line) and below each, what it prints (stdout and stderr).
               A line "..." stands for any lines, "..." inside a line for any
               text. A command must exit with 0.
  ```pycon     an interactive Python session, checked by doctest with the
               `python` of the session at that point (the venv's, once the
               README has activated it).

Any other block must be preceded by a comment that says why it is not run
and where it is: <!-- readme-test: skip: REASON -->. To add a command to
the README is to add it to this test.

The session runs with no display (the demo would open a window for 20 s),
no MICROPY (a newcomer has none) and PYTHONUNBUFFERED=1 (stdout and stderr
interleave as on a terminal); nothing else is set for it.

CPython only, in the source tree (make test's pytest step); it builds the
package twice (make demo and the venv), about a minute.
"""
from mpxtest import IS_MICROPYTHON, skip

if not IS_MICROPYTHON:
    import os
    import re
    import shutil
    import subprocess
    import tempfile

    HERE = os.path.dirname(os.path.abspath(__file__))
    ROOT = os.path.dirname(os.path.dirname(HERE))
    README = os.path.join(ROOT, "README.md")
    MARK = "@@mpx-readme-test {} {}@@"
    SKIP = re.compile(r"<!-- readme-test: skip: (\S.*?) -->")


def parse(text):
    """The README's fenced blocks: [(kind, lines, skip_reason, line_number)]."""
    blocks, lines = [], text.split("\n")
    reason, i = None, 0
    while i < len(lines):
        line = lines[i]
        m = SKIP.search(line)
        if m:
            reason = m.group(1)
        elif line.startswith("```"):
            kind, start, body = line[3:].strip(), i + 1, []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            assert i < len(lines), "README.md:{}: a code block that does not end".format(start)
            blocks.append((kind, body, reason, start))
            reason = None
        elif line.strip() and reason is not None and not line.startswith("<!--"):
            raise AssertionError("README.md:{}: a skip comment with no code block after it".format(i + 1))
        i += 1
    return blocks


def commands(blocks, pycon_dir):
    """[(command, expected lines, README line)] of the blocks to run."""
    out = []
    for kind, body, reason, start in blocks:
        if reason is not None:
            continue
        if kind == "console":
            cmd = None
            for n, line in enumerate(body):
                if cmd is not None and cmd[0].endswith("\\"):
                    cmd[0] = cmd[0] + "\n" + line
                elif line.startswith("$ "):
                    cmd = [line[2:], [], start + n + 1]
                    out.append(cmd)
                else:
                    assert cmd is not None, "README.md:{}: output before any command".format(start + n + 1)
                    cmd[1].append(line.rstrip())
        elif kind == "pycon":
            path = os.path.join(pycon_dir, "readme-{}.pycon".format(start))
            with open(path, "w") as f:
                f.write("\n".join(body) + "\n")
            out.append(["python -m doctest {}".format(path), [], start])
        else:
            raise AssertionError("README.md:{}: a ```{} block that is neither run (console, pycon) nor "
                                 "marked <!-- readme-test: skip: REASON -->".format(start, kind))
    return out


def matches(want, got):
    """got (lines) as want describes them: '...' lines and '...' in lines."""
    if not want:
        return not got
    if want[0] == "...":
        return any(matches(want[1:], got[k:]) for k in range(len(got) + 1))
    if not got:
        return False
    pattern = ".*".join(re.escape(part) for part in want[0].split("..."))
    return re.fullmatch(pattern, got[0]) is not None and matches(want[1:], got[1:])


def fresh_copy(dest):
    """The tree as a clone has it (tracked files and new ones, not ignored
    ones), as a git repository of its own."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        src, dst = os.path.join(ROOT, name), os.path.join(dest, name)
        if not os.path.lexists(src):
            continue  # deleted in the work tree
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
        else:
            shutil.copy2(src, dst)
    git = ["git", "-c", "user.name=readme", "-c", "user.email=readme@test", "-C", dest]
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "fresh copy"], check=True)


def session_env(home):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MICROPY", "MICROPYTHON_SRC", "MICROPYTHON_STM32_DEPS",
                        "PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONDONTWRITEBYTECODE")
           and not k.startswith("MPX_")}
    env.update(HOME=home, PYTHONUNBUFFERED="1")
    return env


def run_session(cmds, cwd, env):
    """Run the commands in one sh session; [(output lines, exit status)]."""
    script = []
    for i, (cmd, _, _) in enumerate(cmds):
        script.append("echo '{}'".format(MARK.format("begin", i)))
        script.append("{\n" + cmd + "\n} 2>&1 < /dev/null")
        script.append("echo \"{}\"".format(MARK.format("end", i) + " $?"))
    p = subprocess.run(["sh", "-c", "\n".join(script)], cwd=cwd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=1800)
    text = p.stdout.decode("utf-8", "replace")
    results = []
    for i in range(len(cmds)):
        begin, end = MARK.format("begin", i) + "\n", MARK.format("end", i) + " "
        if begin not in text:
            break
        body = text.split(begin, 1)[1]
        if end not in body:
            results.append((body.split("\n"), None))
            break
        out, rest = body.split(end, 1)
        lines = [line.rstrip() for line in out.replace("\r\n", "\n").split("\n")]
        if lines and lines[-1] == "":
            lines.pop()
        results.append((lines, int(rest.split("\n", 1)[0])))
    return results


class _Run:
    """The README's session in a fresh copy, once for this file's tests."""
    done = None

    @classmethod
    def get(cls):
        if cls.done is None:
            cls.done = cls()
        return cls.done

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="mpx-readme-")
        self.tree, self.home = os.path.join(self.tmp, "mpx"), os.path.join(self.tmp, "home")
        os.mkdir(self.tree)
        os.mkdir(self.home)
        fresh_copy(self.tree)
        with open(README) as f:
            self.blocks = parse(f.read())
        self.cmds = commands(self.blocks, self.home)
        self.env = session_env(self.home)
        self.results = run_session(self.cmds, self.tree, self.env)


def _source_tree():
    if IS_MICROPYTHON:
        skip("CPython only: runs the README's commands")
    if os.environ.get("MPX_TEST_INSTALLED"):
        skip("runs once, in the pytest step of the source tree (it installs its own venv)")
    if shutil.which("git") is None or not os.path.isdir(os.path.join(ROOT, ".git")) and \
            not os.path.isfile(os.path.join(ROOT, ".git")):
        skip("not a git checkout: a fresh copy is what git would clone")


def test_the_readme_is_a_front_door_of_at_most_300_lines():
    if IS_MICROPYTHON:
        skip("CPython only: reads README.md")
    with open(README) as f:
        text = f.read()
    assert text.count("\n") <= 300, text.count("\n")
    fenced = False
    for line in text.split("\n"):
        fenced = fenced != line.startswith("```")
        assert fenced or not line.startswith("    ") or line.lstrip().startswith(("-", "*")), \
            "an indented code block (use ```console so that the test runs it): " + line
    for kind, body, reason, start in parse(text):
        assert reason is None or len(reason) > 10, "README.md:{}: say why the block is not run".format(start)
    for link in re.findall(r"\]\(([^)#]+)", text):
        if "://" not in link:
            assert os.path.exists(os.path.join(ROOT, link)), link


def test_every_command_in_the_readme_runs_as_typed_and_prints_what_it_shows():
    _source_tree()
    run = _Run.get()
    assert run.cmds, "no command found in README.md"
    for (cmd, want, line), result in zip(run.cmds, run.results + [None] * len(run.cmds)):
        assert result is not None, "README.md:{}: `{}` did not run (the session ended)".format(line, cmd)
        got, status = result
        text = "\n".join(got)
        assert status == 0, "README.md:{}: `{}` exited with {}:\n{}".format(line, cmd, status, text)
        assert matches(want, got), "README.md:{}: `{}` printed\n{}\n--- where the README shows\n{}".format(
            line, cmd, text, "\n".join(want))


def test_the_demos_next_steps_are_the_readmes_commands():
    # make demo ends with what to try next: the lines it shows as commands
    # (indented 6 spaces) are commands of the README, so this test ran them.
    _source_tree()
    run = _Run.get()
    demo = [i for i, (cmd, _, _) in enumerate(run.cmds) if cmd.split("#")[0].strip() == "make demo"]
    assert demo, "README.md does not run make demo"
    out = run.results[demo[0]][0]
    assert "What next:" in out, out
    shown = [line.strip() for line in out[out.index("What next:"):] if line.startswith("      ")]
    assert len(shown) >= 5, shown
    readme = [cmd.strip() for cmd, _, _ in run.cmds]
    for cmd in shown:
        assert cmd in readme, "make demo suggests `{}`, which README.md does not show".format(cmd)


def test_make_clean_leaves_only_the_sources():
    _source_tree()
    run = _Run.get()
    assert run.results and run.results[-1][1] == 0, "the README's session failed (see the test above)"
    # The tests leave bytecode too (tests/py, examples/), and the display
    # demo its PNG files beside it.
    for cmd in (["/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/py/test_examples.py"],
                ["/usr/bin/python3", "examples/rlvgl_demo.py"]):
        r = subprocess.run(cmd, cwd=run.tree, env=dict(run.env, PYTHONPATH="cpython"), capture_output=True,
                           text=True, timeout=600)
        assert r.returncode == 0, r.stdout + r.stderr
    made = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=run.tree, capture_output=True,
                          text=True, check=True).stdout
    for expected in ("!! build/", "!! cpython/mpx.egg-info/", "!! examples/out/", "!! examples/__pycache__/",
                     "!! tests/py/__pycache__/", "!! cpython/mpx/__pycache__/", "!! cpython/mp_rlvgl.cpython-",
                     "!! cpython/mpx/_urpc.cpython-", "!! cpython/mpx/dfu/_cdfu.cpython-",
                     "!! cpython/mpx/msgpack/_cmsgpack.cpython-"):
        assert expected in made, (expected, made)   # the session did make those
    r = subprocess.run(["make", "clean"], cwd=run.tree, env=run.env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    left = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=run.tree, capture_output=True,
                          text=True, check=True).stdout
    assert left == "", "make clean left:\n" + left
    shutil.rmtree(run.tmp)
