"""gunicorn hooks for Caravanserai's processes (`--config deploy/gunicorn.conf.py`, used by the
systemd unit, `make serve` and the tests). The worker class, worker count and port stay on the
command line, where an administrator reads them."""

# gunicorn 27's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl): the
# processes on one machine would fight over it, and the service user's home is the checkout.
control_socket_disable = True


def post_worker_init(worker) -> None:  # gunicorn calls it in each worker, after the fork
    """On SIGTERM, close this process's websockets as soon as it has stopped accepting.

    gunicorn would hold open sockets for the whole --graceful-timeout; closed at once, their
    clients reconnect through nginx to the other processes and the restart drains in about a
    second (bench/deployment.py measures it).
    """
    import gevent

    def close_sockets_when_stopping() -> None:
        while worker.alive:
            gevent.sleep(0.2)
        gevent.sleep(1.2)  # the worker closes its listener within a second of the signal
        from app.extensions import socketio

        engine = socketio.server.eio
        # Drop the transports without a "close" packet, as a lost connection looks: every
        # client reconnects after one (a client told "server disconnect" would stay away).
        for sid, socket in list(engine.sockets.items()):
            socket.close(wait=False, abort=True, reason=engine.reason.TRANSPORT_CLOSE)
            engine.sockets.pop(sid, None)

    gevent.spawn(close_sockets_when_stopping)
