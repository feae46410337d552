"""The services' common library: events, settings, storage, messaging, telemetry, auth."""
