package io.netplane.events.data;

import io.netplane.events.EventData;

/**
 * Why an intent was refused: the HTTP status the caller gets and the message (Docker's wording where it has
 * one). {@code operation} is the intent's verb (create, remove, connect, …); the subject says what of.
 */
public record Rejection(String operation, String name, int status, String message) implements EventData {
}
