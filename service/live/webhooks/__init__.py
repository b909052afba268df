"""Webhooks for organisers: endpoints per event, an outbox written with each schedule change, and
a delivery worker that signs (Standard Webhooks), retries with backoff and keeps a log."""
