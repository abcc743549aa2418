"""Builds, serves and advances a fixture world (see the package's docstring)."""

import json
import os
import shutil

from . import config as configuration
from . import repos, servers

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "Fixtures")


class World:
    """The world of description `description` under the folder `work`:

        work/src/     working trees          work/hub/     fixture_hub.py's root
        work/served/  git_http_server.py's   work/archive/ Sediment's store
        work/sediment.toml, work/logs/, work/world-state.json (epoch, ports, pids, heads)
    """

    def __init__(self, work, description=None, variables=None):
        self.work = os.path.abspath(work)
        self.state_path = os.path.join(self.work, "world-state.json")
        state = self.load_state()
        self.description_path = os.path.abspath(description or state.get("description") or os.path.join(FIXTURES, "world.json"))
        with open(self.description_path, encoding="utf-8") as f:
            self.description = json.load(f)
        self.texts = os.path.join(os.path.dirname(self.description_path), self.description.get("texts", "texts"))
        self.state = state or {"epoch": 0, "heads": {}, "pids": {}, "ports": {}, "variables": {}}
        self.state["description"] = self.description_path
        self.state["variables"].update(variables or {})
        self.home = os.path.join(self.work, "home")

    # --- state ---------------------------------------------------------------------------

    def load_state(self):
        if not os.path.exists(self.state_path):
            return {}
        with open(self.state_path, encoding="utf-8") as f:
            return json.load(f)

    def save_state(self):
        with open(self.state_path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(self.state, f, indent=1)
        os.replace(self.state_path + ".tmp", self.state_path)

    @property
    def epoch(self):
        return self.state["epoch"]

    def variables(self, extra=None):
        values = dict(self.description.get("defaults", {}))
        values["work"] = self.work
        for kind, port in self.state["ports"].items():
            values[kind] = "http://127.0.0.1:%d" % port
        values.update(self.state["variables"])
        values.update(extra or {})
        return values

    def value(self, v):
        return configuration.substitute(v, self.variables())

    # --- building --------------------------------------------------------------------------

    def servers_needed(self):
        needed = set(self.description.get("servers", []))
        for key in self.description.get("repositories", {}):
            needed.add(key.split(":", 1)[0])
        if self.description.get("listings"):
            needed.add("hub")
        return sorted(needed)

    def up(self, bytes_log=None):
        """Builds epoch 1, starts the servers and writes the configuration."""
        if self.epoch:
            raise RuntimeError("%s already holds a world at epoch %d" % (self.work, self.epoch))
        for folder in ("src", "hub", "served", "home", "logs"):
            os.makedirs(os.path.join(self.work, folder), exist_ok=True)
        for name, text in self.description.get("secrets", {}).items():
            path = os.path.join(self.work, name)
            with open(path, "w") as f:
                f.write(text + "\n")
            os.chmod(path, 0o600)
        changes = self.apply(1)
        roots = {"hub": os.path.join(self.work, "hub"), "git": os.path.join(self.work, "served")}
        for kind in self.servers_needed():
            pid, port = servers.start(kind, roots[kind], self.work, self.home,
                                      bytes_log if kind == "git" else None)
            self.state["pids"][kind], self.state["ports"][kind] = pid, port
        self.save_state()
        self.write_config(os.path.join(self.work, "sediment.toml"))
        return changes

    def advance(self):
        """Applies the next epoch upstream; the lines that say what changed."""
        if not self.epoch:
            raise RuntimeError("no world under %s: run up first" % self.work)
        return self.apply(self.epoch + 1)

    def down(self):
        for kind, pid in sorted(self.state["pids"].items()):
            servers.stop(pid)
        self.state["pids"] = {}
        self.save_state()

    def write_config(self, path, extra=None):
        config = dict(self.description.get("config", {}))
        config.setdefault("storage", {"path": "{work}/archive"})
        text = configuration.render(config, self.variables(extra))
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    def head(self, key, epoch):
        return self.state["heads"].get(key, {}).get(str(epoch))

    def apply(self, epoch):
        changes = []
        for key, spec in self.description.get("repositories", {}).items():
            commits = [c for c in spec["commits"] if c.get("epoch", 1) == epoch]
            if commits:
                changes.append(self.build(key, spec, commits, epoch))
        for name, versions in self.description.get("listings", {}).items():
            if str(epoch) in versions:
                self.write_listing(name, versions[str(epoch)])
                changes.append("listing %s: epoch %d" % (name, epoch))
        self.state["epoch"] = epoch
        self.save_state()
        return changes

    def locations(self, key):
        kind, path = key.split(":", 1)
        bare = os.path.join(self.work, "hub", path + ".git") if kind == "hub" else os.path.join(self.work, "served", path)
        return os.path.join(self.work, "src", kind, path), bare

    def build(self, key, spec, commits, epoch):
        count = int(self.value(spec.get("replicas", 1)))
        first = key.replace("{i}", "0")
        tree, bare = self.locations(first)
        repo = repos.Repository(self.home, tree, bare, spec.get("branch", "main"))
        head = None
        for commit in commits:
            if commit.get("reset"):
                repo.reset(commit["reset"])
            for path, value in commit.get("files", {}).items():
                repo.write(path, self.file_data(key, value))
            date = commit.get("date") or repos.now()
            head = repo.commit(commit["message"], commit.get("author", "Fixture World <world@example.org>"), date,
                               tag=commit.get("tag"), tag_date=commit.get("tag_date"))
        repo.publish()
        if count > 1:
            repos.replicate(bare, [self.locations(key.replace("{i}", str(i)))[1] for i in range(1, count)])
        self.state["heads"].setdefault(key, {})[str(epoch)] = head
        return "%s: %d commit(s), head %s%s" % (key, len(commits), head[:12], "" if count == 1 else " (x%d)" % count)

    def file_data(self, key, value):
        if value is None:
            return None
        if isinstance(value, str):
            with open(os.path.join(self.texts, value), "rb") as f:
                return f.read()
        if "text" in value:
            return self.value(value["text"]).encode()
        content = repos.lfs_content(value["lfs"], int(self.value(value["size"])))
        pointer, oid = repos.lfs_pointer(content)
        if key.startswith("hub:"):
            store = os.path.join(self.work, "hub", "lfs")
            os.makedirs(store, exist_ok=True)
            with open(os.path.join(store, oid), "wb") as f:
                f.write(content)
        return pointer.encode()

    def write_listing(self, name, source):
        target = os.path.join(self.work, "hub", name)
        if isinstance(source, str):
            shutil.copyfile(os.path.join(self.texts, source), target + ".tmp")
        else:
            # {"replicas": "hub:owner/name-{i}", "tags": [...]}: one entry per replica.
            spec = self.description["repositories"][source["replicas"]]
            count = int(self.value(spec.get("replicas", 1)))
            model = source["replicas"].split(":", 1)[1]
            entries = [{"id": model.replace("{i}", str(i)), "downloads": i, "likes": i % 7,
                        "tags": source.get("tags", [])} for i in range(count)]
            with open(target + ".tmp", "w", encoding="utf-8") as f:
                json.dump(entries, f)
        os.replace(target + ".tmp", target)
