package org.implicit4j.api;

import java.nio.file.Path;
import java.util.List;
import org.implicit4j.report.AttackReport;

/** An attack's accuracy table and the files written (report CSV/JSON, plot, attacked inputs). */
public record AttackResult(AttackReport report, List<Path> written) {}
