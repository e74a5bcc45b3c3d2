package org.budayang.api.cases;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A department's own system, as the platform reaches it (through a configured connector). A
 * department may register its own implementation with the service property
 * {@code budayang.department=<code>}.
 */
@ConsumerType
public interface BackOffice {
    String DEPARTMENT = "budayang.department";

    /** The back office could not be reached or did not answer in time; try again later. */
    class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Hands a submitted case over.
     *
     * @return the back office's reference for it
     * @throws Unavailable when it cannot take it now (the platform keeps the case and retries)
     */
    String receive(CaseRecord submitted) throws Unavailable;
}
