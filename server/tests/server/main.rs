//! The server's integration tests, one binary: each module is one area (the API, auth,
//! crashes, …), all against real servers on loopback. One binary links the whole server
//! once, where a binary per area linked it thirteen times.

#[macro_use]
mod common;

mod api;
mod auth;
mod binary;
mod concurrency;
mod confluent_edges;
mod contexts;
mod contracts;
mod converter;
mod crash;
mod dek;
mod durability;
mod hostile;
mod hot_routes;
mod instances;
mod load;
mod protobuf;
mod python_client;
mod read_cache;
mod tls;
mod transfer;
