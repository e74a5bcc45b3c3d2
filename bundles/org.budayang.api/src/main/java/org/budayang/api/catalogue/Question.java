package org.budayang.api.catalogue;

import java.util.List;

/**
 * One step of situation guidance (情形引导): a question whose answers lead to the next question
 * or settle the situation, e.g. "are you retired?".
 *
 * @since 1.1
 */
public record Question(String code, LocalizedText text, List<Answer> answers) {
    public Question {
        answers = List.copyOf(answers);
    }

    /**
     * @param next code of the next question, or null when this answer settles the situation
     * @param situation code of the situation this answer settles, or null when another question follows
     */
    public record Answer(String code, LocalizedText text, String next, String situation) {
    }
}
