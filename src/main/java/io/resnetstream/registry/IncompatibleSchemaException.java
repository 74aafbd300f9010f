package io.resnetstream.registry;

/** The registry refused a schema because it breaks the subject's compatibility rule (HTTP 409). */
public class IncompatibleSchemaException extends RegistryException {
    private final String subject;

    IncompatibleSchemaException(String subject, RegistryException refusal) {
        super(
                "Schema is incompatible with subject '" + subject + "': " + refusal.getMessage(),
                refusal.httpStatus(),
                refusal.errorCode(),
                refusal);
        this.subject = subject;
    }

    public String subject() {
        return subject;
    }
}
