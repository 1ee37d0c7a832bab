//! The Schemagate registry server: the Confluent Schema Registry REST API over an
//! embedded store, refusing breaking changes at registration time.
