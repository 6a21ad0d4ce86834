"""The production stack of docs/deployment.md on one machine, for tests and bench/deployment.py:
Debian's nginx running deploy/nginx/caravanserai.conf (only ports, certificate paths and the
ACME folder changed) with a self-signed certificate, in front of gunicorn gevent processes that
share PostgreSQL and Redis, each started with the environment template's proxy settings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "caravanserai.conf"
BIN = Path(sys.executable).parent


def nginx_binary() -> str | None:
    """Debian's nginx (`apt-get install nginx`), None when it is not installed."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost: (certificate, key)."""
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def replace_once(text: str, old: str, new: str) -> str:
    """Replace `old`, which must occur exactly once (the recipe must not drift from the test)."""
    assert text.count(old) == 1, f"{SITE.name} no longer has exactly one {old!r}"
    return text.replace(old, new)


def site_config(upstreams: list[int], http_port: int, https_port: int, cert: Path, key: Path,
                folder: Path) -> str:
    """deploy/nginx/caravanserai.conf with this machine's ports and the test certificate."""
    text = SITE.read_text()
    servers = [line for line in text.splitlines() if line.strip().startswith("server 127.0.0.1:")]
    assert len(servers) == 2, servers
    upstream_lines = "\n".join(servers[0].replace("127.0.0.1:8001", f"127.0.0.1:{port}")
                               for port in upstreams)
    text = replace_once(text, servers[0] + "\n" + servers[1], upstream_lines)
    text = replace_once(text, "    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n")
    text = replace_once(text, "    listen [::]:80;\n", "")  # IPv6 may be missing in CI
    text = replace_once(text, "    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{https_port} ssl http2;\n")
    text = replace_once(text, "    listen [::]:443 ssl http2;\n", "")
    text = replace_once(text, "/etc/letsencrypt/live/caravanserai.example/fullchain.pem", str(cert))
    text = replace_once(text, "/etc/letsencrypt/live/caravanserai.example/privkey.pem", str(key))
    return replace_once(text, "root /var/www/letsencrypt;", f"root {folder / 'acme'};")


class Nginx:
    """nginx in the foreground with its own prefix under `folder`."""

    def __init__(self, folder: Path, upstreams: list[int], http_port: int, https_port: int) -> None:
        self.folder = folder
        self.http_port, self.https_port = http_port, https_port
        self.base = f"https://127.0.0.1:{https_port}"
        self.cert, key = make_certificate(folder)
        (folder / "site.conf").write_text(site_config(upstreams, http_port, https_port, self.cert,
                                                      key, folder))
        temp = "\n".join(f"    {kind}_temp_path {folder / kind};"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        user = "user root;\n" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(
            f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
            f"events {{ worker_connections 4096; }}\n"
            f"http {{\n    log_format upstreams '$status $upstream_addr \"$request\"';\n"
            f"    access_log {folder / 'access.log'} upstreams;\n{temp}\n"
            f"    include {folder / 'site.conf'};\n}}\n")
        self.process: subprocess.Popen | None = None

    def command(self, *extra: str) -> list[str]:
        return [nginx_binary() or "nginx", "-p", str(self.folder), "-e", str(self.folder / "error.log"),
                "-c", str(self.folder / "nginx.conf"), *extra]

    def test_config(self) -> subprocess.CompletedProcess:
        return subprocess.run(self.command("-t"), capture_output=True, text=True)

    def start(self) -> Nginx:
        checked = self.test_config()
        assert checked.returncode == 0, checked.stderr
        self.process = subprocess.Popen(self.command("-g", "daemon off;"),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.base}/healthz", verify=str(self.cert), timeout=2)
                return self
            except requests.RequestException:
                time.sleep(0.1)
        raise TimeoutError("nginx did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)

    def websocket_upstreams(self) -> list[str]:
        """The application address each finished websocket was proxied to (status 101)."""
        lines = (self.folder / "access.log").read_text().splitlines()
        return [line.split()[1] for line in lines
                if line.startswith("101 ") and "transport=websocket" in line]


def app_env(database_url: str, redis_url: str, instance: Path, port: int, **extra: str) -> dict[str, str]:
    """A production process's environment, as the env template and the unit give it."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FLASK_", "CARAVANSERAI_", "PROXY_FIX_", "SECRET_KEY", "REDIS_URL"))}
    env.update({"CARAVANSERAI_CONFIG": "production", "DATABASE_URL": database_url,
                "REDIS_URL": redis_url, "INSTANCE_PATH": str(instance),
                "PROXY_FIX_X_FOR": "1", "PROXY_FIX_X_PROTO": "1", "HOST": "127.0.0.1",
                "PORT": str(port), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1",
                "MAIL_SUPPRESS_SEND": "1", "SOCKETIO_CHANNEL": f"deploy-{uuid.uuid4().hex}"})
    env.update(extra)
    return env


class AppProcess:
    """One `caravanserai@PORT` unit: gunicorn, one gevent worker, as deploy/systemd runs it."""

    def __init__(self, env: dict[str, str], log: Path, graceful_timeout: int = 10) -> None:
        self.env, self.log = env, log
        self.port = int(env["PORT"])
        self.graceful_timeout = graceful_timeout
        self.process: subprocess.Popen | None = None

    def start(self) -> AppProcess:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "--worker-class", "gevent", "--workers", "1",
                 "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", str(self.graceful_timeout),
                 "--config", "deploy/gunicorn.conf.py", "--access-logfile", "-", "wsgi:app"],
                cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"process on {self.port} exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/readyz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"process on {self.port} was not ready")

    def worker_pid(self) -> int:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return int(children[0]) if children else self.process.pid

    def stop(self) -> float:
        """SIGTERM, as `systemctl stop` sends it; returns the seconds until the process exited."""
        if self.process is None or self.process.poll() is not None:
            return 0.0
        started = time.monotonic()
        self.process.terminate()
        try:
            self.process.wait(timeout=self.graceful_timeout + 15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return time.monotonic() - started


def flask(env: dict[str, str], *args: str) -> str:
    """Run `flask --app wsgi ARGS` (as the units' ExecStart does) and return its output."""
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                            env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout
