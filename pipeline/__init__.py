"""Jobs that join the store and the indicators: refresh of the analytics table, the demo build."""
