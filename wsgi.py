"""WSGI entry point: `app` for gunicorn and `flask --app wsgi`; `python wsgi.py` serves in development."""

from app import create_app

app = create_app()

if __name__ == "__main__":
    from app.extensions import socketio

    socketio.run(app, host=app.config["HOST"], port=app.config["PORT"], allow_unsafe_werkzeug=True)
