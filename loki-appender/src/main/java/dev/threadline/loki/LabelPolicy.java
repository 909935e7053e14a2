package dev.threadline.loki;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Context;
import dev.threadline.logback.internal.Resource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * Which labels a stream gets, checked once against Loki's rules: the resource labels (service, env, version, host),
 * the level, constant labels and allowed MDC keys. Each event's {@link LabelSet} is one of five shared sets (one per
 * level) unless MDC labels are allowed; then at most {@code maxValuesPerMdcLabel} distinct values per MDC key become
 * label values, and any value past that goes as structured metadata of the same name instead (counted), so no caller
 * can mint streams without bound.
 */
final class LabelPolicy {

  static final int MAX_VALUE_CHARS = 512;
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> KNOWN_LABELS = Set.of("service", "env", "version", "host", "level");
  private static final Set<String> HIGH_CARDINALITY =
      Set.of("requestId", "request_id", "trace_id", "traceId", "span_id", "spanId", "message", "thread", "logger");
  private static final String[] LEVELS = {"trace", "debug", "info", "warn", "error"};

  /** The label sets per level, trace to error. */
  private final LabelSet[] byLevel;
  private final String[] mdcKeys;
  private final int maxValuesPerMdcLabel;
  private final Map<String, Set<String>> seenValues = new ConcurrentHashMap<>();
  private final AtomicInteger[] distinct;
  private final LongAdder overflow = new LongAdder();
  /** Whether the service label fell back to "unknown". */
  final boolean serviceUnknown;

  private LabelPolicy(LabelSet[] byLevel, List<String> mdcKeys, int maxValuesPerMdcLabel, boolean serviceUnknown) {
    this.byLevel = byLevel;
    this.mdcKeys = mdcKeys.toArray(new String[0]);
    this.maxValuesPerMdcLabel = maxValuesPerMdcLabel;
    this.serviceUnknown = serviceUnknown;
    this.distinct = new AtomicInteger[this.mdcKeys.length];
    for (int i = 0; i < distinct.length; i++) {
      distinct[i] = new AtomicInteger();
      seenValues.put(this.mdcKeys[i], ConcurrentHashMap.newKeySet());
    }
  }

  /**
   * Checks every name and resolves the constant values; adds one line per mistake to {@code problems} and returns
   * {@code null} when there is any.
   */
  static LabelPolicy of(Context context, String labels, Map<String, String> staticLabels, List<String> mdcLabels,
      String service, String env, String version, String host, int maxValuesPerMdcLabel, List<String> problems) {
    List<String> names = new ArrayList<>();
    for (String name : labels.split(",")) {
      if (!name.isBlank()) {
        names.add(name.trim());
      }
    }
    int before = problems.size();
    List<String> all = new ArrayList<>(names);
    all.addAll(staticLabels.keySet());
    all.addAll(mdcLabels);
    for (String name : all) {
      if (HIGH_CARDINALITY.contains(name)) {
        problems.add("label '" + name + "' would be high-cardinality (one stream per value); it is sent as"
            + " structured metadata or as part of the line instead");
      } else if (!LABEL_NAME.matcher(name).matches() || name.startsWith("__")) {
        problems.add("label name '" + name + "' is invalid for Loki: [a-zA-Z_][a-zA-Z0-9_]*, no __ prefix");
      } else if (name.getBytes(StandardCharsets.UTF_8).length > 1024) {
        problems.add("label name '" + name.substring(0, 32) + "…' is longer than 1024 bytes");
      }
    }
    for (String name : names) {
      if (!KNOWN_LABELS.contains(name) && !HIGH_CARDINALITY.contains(name)) {
        problems.add("label '" + name + "' is not one of service, env, version, host, level; use staticLabel for"
            + " constants or mdcLabel to allow an MDC key");
      }
    }
    if (all.size() > 15) {
      problems.add("at most 15 labels (Loki's limit), not " + all.size());
    }
    if (all.size() != new HashSet<>(all).size()) {
      problems.add("a label name is given twice: " + all);
    }
    if (maxValuesPerMdcLabel < 1) {
      problems.add("maxValuesPerMdcLabel must be positive, not " + maxValuesPerMdcLabel);
    }
    Map<String, String> resource = new LinkedHashMap<>();
    boolean unknown = false;
    for (String name : names) {
      String value;
      switch (name) {
        case "service":
          value = Resource.service(context, service);
          if (value == null || value.isBlank()) {
            // Loki needs at least one label; a service without a name still gets a stream, and start() says so.
            value = "unknown";
            unknown = true;
          }
          break;
        case "env":
          value = Resource.env(context, env);
          break;
        case "version":
          value = Resource.version(context, version);
          break;
        case "host":
          value = Resource.host(context, host);
          break;
        default:
          value = null;
      }
      if (value != null && !value.isEmpty()) {
        resource.put(name, value);
      }
    }
    resource.putAll(staticLabels);
    for (Map.Entry<String, String> e : resource.entrySet()) {
      if (e.getValue().getBytes(StandardCharsets.UTF_8).length > 2048) {
        problems.add("label '" + e.getKey() + "' has a value longer than 2048 bytes");
      }
    }
    if (problems.size() > before) {
      return null;
    }
    LabelSet[] byLevel = new LabelSet[LEVELS.length];
    for (int i = 0; i < LEVELS.length; i++) {
      Map<String, String> set = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : resource.entrySet()) {
        if (!e.getKey().equals("level")) {
          set.put(e.getKey(), e.getValue());
        }
      }
      if (names.contains("level")) {
        set.put("level", LEVELS[i]);
      }
      byLevel[i] = new LabelSet(set.keySet().toArray(new String[0]), set.values().toArray(new String[0]));
    }
    return new LabelPolicy(byLevel, mdcLabels, maxValuesPerMdcLabel, unknown && names.contains("service"));
  }

  /** Whether no label comes from the MDC: every event's set is one of the five shared ones. */
  boolean constant() {
    return mdcKeys.length == 0;
  }

  /** The label set of an event with no MDC labels. */
  LabelSet forLevel(Level level) {
    return byLevel[levelIndex(level)];
  }

  /**
   * The event's label set. MDC values over their key's allowance are put in {@code overflowOut} (name, value,
   * name, value…; the array has room for two per MDC key) and counted; returns how many pairs it holds through
   * {@code overflowCount[0]}.
   */
  LabelSet labelsOf(ILoggingEvent event, String[] overflowOut, int[] overflowCount) {
    LabelSet base = forLevel(event.getLevel());
    overflowCount[0] = 0;
    if (mdcKeys.length == 0) {
      return base;
    }
    Map<String, String> mdc = event.getMDCPropertyMap();
    if (mdc == null || mdc.isEmpty()) {
      return base;
    }
    String[] names = null;
    String[] values = null;
    int count = 0;
    for (int i = 0; i < mdcKeys.length; i++) {
      String value = mdc.get(mdcKeys[i]);
      if (value == null || value.isEmpty()) {
        continue;
      }
      if (value.length() > MAX_VALUE_CHARS) {
        value = value.substring(0, MAX_VALUE_CHARS);
      }
      if (!admit(i, value)) {
        overflowOut[2 * overflowCount[0]] = mdcKeys[i];
        overflowOut[2 * overflowCount[0] + 1] = value;
        overflowCount[0]++;
        overflow.increment();
        continue;
      }
      if (names == null) {
        names = new String[mdcKeys.length];
        values = new String[mdcKeys.length];
      }
      names[count] = mdcKeys[i];
      values[count] = value;
      count++;
    }
    return count == 0 ? base : base.with(names, values, count);
  }

  /** Whether {@code value} may be a label value of MDC key {@code i}: seen before, or within the allowance. */
  private boolean admit(int i, String value) {
    Set<String> seen = seenValues.get(mdcKeys[i]);
    if (seen.contains(value)) {
      return true;
    }
    while (true) {
      int n = distinct[i].get();
      if (n >= maxValuesPerMdcLabel) {
        return false;
      }
      if (distinct[i].compareAndSet(n, n + 1)) {
        if (!seen.add(value)) {
          distinct[i].decrementAndGet(); // another thread admitted the same value meanwhile
        }
        return true;
      }
    }
  }

  /** MDC values sent as structured metadata because their key had used its allowance. */
  long overflowed() {
    return overflow.sum();
  }

  /** How many MDC keys may become labels: the size {@code overflowOut} needs is twice this. */
  int mdcKeyCount() {
    return mdcKeys.length;
  }

  /** 0 to 4 for trace to error: Logback's levels are 5000, 10000, 20000, 30000 and 40000. */
  static int levelIndex(Level level) {
    return level == null ? 2 : Math.max(0, Math.min(4, level.toInt() / 10_000));
  }
}
