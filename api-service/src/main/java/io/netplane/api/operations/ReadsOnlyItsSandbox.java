package io.netplane.api.operations;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A resource method that reads, of what calls answered ahead change, only its own sandbox's, and waits for those
 * itself where it reads them ({@link IntentCalls#readAfterAnswersOn}): {@link ReadsAfterAnswers} lets it through
 * without waiting for every call answered ahead.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ReadsOnlyItsSandbox {
}
