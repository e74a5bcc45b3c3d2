package org.budayang.api.notify;

/**
 * One text message.
 *
 * @param phone mainland mobile number, 11 digits
 * @param text the message (may carry a one-time code: never log it)
 * @param topic why it is sent, e.g. {@code locker.staff-pickup}
 */
public record Sms(String phone, String text, String topic) {
    public Sms {
        if (phone == null || !phone.matches("1[3-9][0-9]{9}")) {
            throw new IllegalArgumentException("a mobile number has 11 digits and starts with 13-19");
        }
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the message is empty");
        }
    }

    /** {@code 138****5678}. */
    public String maskedPhone() {
        return phone.substring(0, 3) + "****" + phone.substring(7);
    }

    @Override
    public String toString() {
        return "Sms[" + maskedPhone() + ", " + topic + "]";
    }
}
