package io.execstream.bench.peers.webflux;

/** The JSON body of every error, as execstream's: {@code {"error": code, "message": text}}. */
public record ApiError(String error, String message) {
}
