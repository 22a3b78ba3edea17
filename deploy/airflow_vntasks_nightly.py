"""Airflow DAG: the vntasks nightly extraction as one task (Airflow 2.x).

Copy into the DAGs folder of a worker that has vntasks installed. The job is
incremental and holds its own lock, so retries and backfills are safe: a retry
processes only what is left, a concurrent try exits 2 without touching anything.
Exit 1 (some documents failed) fails the task so that it shows in the UI; the
failed files are listed in the log and in the new partition's errors.jsonl.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

VNTASKS = "/opt/vntasks/.venv/bin/vntasks"
INPUT = "/srv/dispatches/incoming"
OUTPUT = "/srv/vntasks/tasks"

with DAG(
    dag_id="vntasks_nightly",
    schedule="30 1 * * *",
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=15)},
    tags=["vntasks"],
) as dag:
    BashOperator(
        task_id="extract",
        bash_command=(f"{VNTASKS} run --input {INPUT} --output {OUTPUT} --workers 2 --log-format json"),
        # For a shared Dask cluster instead: --scheduler tcp://dask-scheduler:8786
        env={"HF_HUB_OFFLINE": "1"},
        append_env=True,
        execution_timeout=timedelta(hours=8),
    )
