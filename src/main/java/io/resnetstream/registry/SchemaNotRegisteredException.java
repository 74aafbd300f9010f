package io.resnetstream.registry;

/** The subject does not exist, or does not hold the schema looked up (Confluent errors 40401, 40403). */
public class SchemaNotRegisteredException extends RegistryException {
    private final String subject;

    SchemaNotRegisteredException(String subject, RegistryException notFound) {
        super(
                "No such schema under subject '" + subject + "': " + notFound.getMessage(),
                notFound.httpStatus(),
                notFound.errorCode(),
                notFound);
        this.subject = subject;
    }

    public String subject() {
        return subject;
    }
}
