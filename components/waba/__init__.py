"""The parts of the WabaEventDestination dynamic resource, one concept per module:
ids (the one WABA id normalisation), state (every state key, once), validation
(check's rules), claim (ownership recorded on the WABA as tags), decisions (pure:
desired x live x claim x state -> action), client (API calls, retries, error
mapping) and preflight. The provider class itself stays in
`components.waba_destination`, the import path the stack's state pickles."""
