from newsprism.cli import main

# Guarded: worker processes are spawned, and a spawned child must not run the command again.
if __name__ == "__main__":
    raise SystemExit(main())
