//! Typed async client for the Confluent Schema Registry REST API.
