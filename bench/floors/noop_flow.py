"""Floor for the `milestone_check` flow: a Prefect flow that does nothing,
in a process of its own, with the same Prefect settings."""

from prefect import flow


@flow(name="noop")
def noop(as_of=None):
    return None


if __name__ == "__main__":
    noop()
