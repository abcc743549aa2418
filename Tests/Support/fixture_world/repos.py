"""Git repositories of the fixture world: working trees committed at given dates, published
by force into bare repositories, and Git LFS pointers of generated content."""

import hashlib
import os
import shutil
import subprocess
import time


def isolated_env(home, who=None, date=None):
    """The environment of a git run that no configuration on this machine reaches; a commit
    it makes has author and committer `who` ("Name <email>") at `date`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(HOME=home, GIT_CONFIG_NOSYSTEM="1", GIT_LFS_SKIP_SMUDGE="1", GIT_TERMINAL_PROMPT="0")
    env.pop("XDG_CONFIG_HOME", None)
    if who:
        name, _, email = who.partition(" <")
        env.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email.rstrip(">"),
                   GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email.rstrip(">"))
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return env


def git(home, *args, cwd=None, who=None, date=None):
    """Runs git isolated; its standard output, stripped. Raises with git's message on failure."""
    result = subprocess.run(["git"] + list(args), cwd=cwd, env=isolated_env(home, who, date),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("git %s: %s" % (" ".join(args), result.stderr.strip()))
    return result.stdout.strip()


def lfs_content(seed, size):
    """`size` bytes of generated weights: the seed and a newline, repeated."""
    line = (seed + "\n").encode()
    return (line * (size // len(line) + 1))[:size]


def lfs_pointer(content):
    """The Git LFS pointer text of `content`, exactly as `git lfs` commits it, and its oid."""
    oid = hashlib.sha256(content).hexdigest()
    return "version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n" % (oid, len(content)), oid


def now():
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())


class Repository:
    """A working tree under `tree` whose branches and tags are published into `bare`."""

    def __init__(self, home, tree, bare, branch):
        self.home, self.tree, self.bare, self.branch = home, tree, bare, branch
        if not os.path.isdir(os.path.join(tree, ".git")):
            os.makedirs(tree, exist_ok=True)
            git(home, "init", "-q", "-b", branch, tree)

    def git(self, *args, **kwargs):
        return git(self.home, *args, cwd=self.tree, **kwargs)

    def write(self, path, data):
        target = os.path.join(self.tree, path)
        if data is None:
            if os.path.exists(target):
                os.remove(target)
            return
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(data)

    def reset(self, revision):
        """`git reset --hard REVISION`: history to rewrite, which publishing force-pushes."""
        self.git("reset", "-q", "--hard", revision)

    def commit(self, message, who, date, tag=None, tag_date=None):
        """Commits every change and tags the commit when asked; returns its id."""
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, who=who, date=date)
        if tag:
            self.git("tag", "-a", tag, "-m", "Release " + tag, who=who, date=tag_date or date)
        return self.git("rev-parse", "HEAD")

    def publish(self):
        """Pushes every branch and tag into the bare repository, forced and pruning, so
        rewritten history replaces the old."""
        if not os.path.isdir(self.bare):
            os.makedirs(self.bare)
            git(self.home, "init", "-q", "--bare", "-b", self.branch, self.bare)
        self.git("push", "-q", "--force", "--prune", self.bare, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")


def replicate(bare, copies):
    """Copies the bare repository `bare` to each path of `copies` (the same history each)."""
    for copy in copies:
        if not os.path.exists(copy):
            shutil.copytree(bare, copy)
