package io.netplane.ipam.replay;

/** One field where the state rebuilt from the log and the database disagree; a value is null when absent. */
public record Difference(String entity, String field, String logValue, String databaseValue) {

    @Override
    public String toString() {
        return "difference: " + entity + " " + field + ": log=" + show(logValue) + " database=" + show(databaseValue);
    }

    private static String show(String value) {
        return value == null ? "(none)" : value;
    }
}
