/**
 * The server's one log format, one line per record for its own lines and Jersey's and Grizzly's
 * alike, and the log manager that keeps logging alive while the server shuts down.
 */
package io.execstream.server.logging;
