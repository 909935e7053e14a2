package com.acme.logging;

import dev.threadline.logback.RedactionRule;

/** The rule logback-encoder/README.md names: ticket ids like TCK-123456 are personal data in this shop. */
public final class TicketIds implements RedactionRule {
  @Override
  public String redact(String value) {
    return value.contains("TCK-") ? value.replaceAll("TCK-[0-9]{6}", REDACTED) : value;
  }
}
