"""Delete conversations idle longer than the retention period (`make purge`).

Every conversation whose newest event is older than privacy.retention_days of
clinic/protocol.yml (90; the environment variable CONVERSATION_RETENTION_DAYS
overrides it) is deleted with everything tied to it (stores/personal_data.py),
in the database the environment names (stores/db.py: the SQLite file in
BOT_STATE_DIR, or PostgreSQL with DB_HOST). SMS opt-outs are kept.

Run it from cron or the Kubernetes CronJob (deploy/k8s/purge.yaml);
scripts/run_bot.py (`make run`) runs it at start and then daily. It prints
counts only, never a sender id. Exit status 0 on success, 1 if the settings
or the database are wrong.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import threading
from pathlib import Path
from typing import List, Mapping, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clinic.privacy import RetentionError, idle_cutoff, retention_days  # noqa: E402
from clinic.protocol import load_protocol  # noqa: E402
from stores import db, personal_data  # noqa: E402

logger = logging.getLogger("purge")
DAY_SECONDS = 24 * 3600.0


def purge_once(env: Optional[Mapping[str, str]] = None, now: Optional[dt.datetime] = None) -> str:
    """One purge with the settings of `env`; a line saying what was deleted."""
    env = os.environ if env is None else env
    days = retention_days(load_protocol(), env)
    now = now or dt.datetime.now(dt.timezone.utc)
    engine = db.create_engine(db.settings_from_env(env))
    try:
        purge = personal_data.purge_idle(engine, idle_cutoff(now, days))
    finally:
        engine.dispose()
    return (
        f"Retention: deleted {purge.conversations} conversation(s) with no message for over {days} days "
        f"({purge.rows} rows)."
    )


def run_daily(stop: threading.Event, env: Mapping[str, str], interval: float = DAY_SECONDS) -> None:
    """Purge now and then every `interval` seconds until `stop` is set (make run)."""
    while not stop.is_set():
        try:
            print(purge_once(env), flush=True)
        except Exception as error:  # a bad setting or the database away: try again next time
            print(f"Retention purge failed: {error.__class__.__name__}: {error}", flush=True)
        stop.wait(interval)


def main(argv: Optional[List[str]] = None) -> int:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args(
        argv
    )
    try:
        print(purge_once(), flush=True)
    except (RetentionError, db.DatabaseConfigError) as error:
        print(f"Retention purge not run: {error}", file=sys.stderr)
        return 1
    except Exception as error:
        print(f"Retention purge failed: {error.__class__.__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
