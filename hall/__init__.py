"""Hall, the Finger-tip Discussion Hall."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from hall.config import PROJECT_ROOT, Settings


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(
        __name__,
        instance_path=str(settings.instance_path),
        template_folder="web/templates",
        static_folder="web/static",
    )
    app.config.update(settings.flask_config())
    app.extensions["hall.settings"] = settings
    _init_extensions(app, settings)
    _register_doors(app)
    return app


def _init_extensions(app: Flask, settings: Settings) -> None:
    from hall.community import identity  # noqa: F401  (registers the login loaders)
    from hall.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio
    from hall.issues import models as issue_models  # noqa: F401  (every stage's tables)
    from hall.ledger import models as ledger_models  # noqa: F401
    from hall.realtime import models as realtime_models  # noqa: F401
    from hall.realtime import presence
    from hall.voting import models as voting_models  # noqa: F401
    from hall.web.i18n import compile_translations, select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "web.login"
    csrf.init_app(app)
    limiter.init_app(app)
    compile_translations()
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(PROJECT_ROOT / "hall" / "web" / "translations"),
    )
    socketio.init_app(
        app,
        async_mode=settings.async_mode,
        message_queue=settings.redis_url,
        channel=settings.socketio_channel,
        manage_session=False,
        transports=list(settings.socket_transports),
        max_http_buffer_size=settings.max_json_bytes,
    )
    presence.configure(settings.redis_url, settings.socketio_channel)
    if settings.trusted_proxies:
        # Outermost, so that Socket.IO's origin check and the rate limiter's client address
        # both see what the browser sent, not nginx's address.
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _register_doors(app: Flask) -> None:
    from hall.community import api as community_api
    from hall.community import events as community_events  # noqa: F401  (room kinds)
    from hall.community import identity
    from hall.community import views as community_views
    from hall.community.cli import import_roster_command
    from hall.demo import seed_demo_command
    from hall.extensions import csrf
    from hall.http import HallApi, register_error_handlers
    from hall.issues import api as issues_api
    from hall.issues import events as issue_events  # noqa: F401  (room kinds)
    from hall.issues import views as issue_views
    from hall.ledger import api as ledger_api
    from hall.ledger.cli import ledger_command
    from hall.realtime import outbox  # noqa: F401  (after-commit listeners)
    from hall.realtime.server import set_identifier
    from hall.voting import api as voting_api
    from hall.voting import events as voting_events  # noqa: F401  (room kinds)
    from hall.voting import views as voting_views
    from hall.web import hooks as web_hooks
    from hall.web import views as web_views

    api = HallApi(app)
    rest_doors = (
        community_api.blueprints
        + ledger_api.blueprints
        + issues_api.blueprints
        + voting_api.blueprints
    )
    for blueprint in rest_doors:
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    app.extensions["hall.api"] = api
    web_hooks.init_app(app)
    app.register_blueprint(web_views.bp)
    app.register_blueprint(community_views.bp)
    app.register_blueprint(issue_views.bp)
    app.register_blueprint(voting_views.bp)
    register_error_handlers(app)
    set_identifier(identity.identify_socket)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(import_roster_command)
    app.cli.add_command(ledger_command)
