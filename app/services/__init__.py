"""Services: the use cases the UI and the command line call. Each mutation is one transaction, audited."""
