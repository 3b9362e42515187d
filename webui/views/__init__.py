"""The console's pages, one blueprint per menu."""
