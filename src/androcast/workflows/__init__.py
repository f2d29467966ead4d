"""What the adapters (CLI, web app) do with the store and the core together, written once.

Each workflow works in the caller's store transaction: the adapter opens it (with its
actor), calls the workflow, and renders what it returns.
"""
