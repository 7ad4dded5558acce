package io.execstream.server.plugins;

import io.execstream.ports.plugin.AdapterProvider;
import io.execstream.ports.plugin.CodeAgentProvider;
import io.execstream.ports.plugin.CommandRunnerProvider;
import io.execstream.ports.plugin.StreamPublisherProvider;

/** The three kinds of provider, with the words the server's flags and messages use for each. */
enum ProviderKind {
    RUNNER(CommandRunnerProvider.class, "runner", "runners", "--runner-option "),
    PUBLISHER(StreamPublisherProvider.class, "publisher", "publishers", "--publisher-option "),
    AGENT(CodeAgentProvider.class, "agent", "agents", "--agent-option ");

    final Class<? extends AdapterProvider> type;
    final String word;
    final String plural;
    /** The flag that sets an option, up to the provider's name (agents) or the option's. */
    final String optionFlag;

    ProviderKind(Class<? extends AdapterProvider> type, String word, String plural, String optionFlag) {
        this.type = type;
        this.word = word;
        this.plural = plural;
        this.optionFlag = optionFlag;
    }

    /** How the user sets an option of {@code provider}, up to the option's name. */
    String optionPrefix(String provider) {
        return this == AGENT ? optionFlag + provider + "." : optionFlag;
    }

    /** The provider in messages: {@code runner 'kubectl'}. */
    String describe(String provider) {
        return word + " '" + provider + "'";
    }
}
