package org.budayang.core.device.internal.idcard;

/** GA 467 request commands: command byte and parameter byte. */
public enum Ga467Command {
    /** Reset SAM: {@code 10 FF}. */
    RESET_SAM(0x10, 0xFF),
    /** SAM status: {@code 11 FF}. */
    SAM_STATUS(0x11, 0xFF),
    /** Find card: {@code 20 01}. */
    FIND_CARD(0x20, 0x01),
    /** Select card: {@code 20 02}. */
    SELECT_CARD(0x20, 0x02),
    /** Read basic information (text + photo): {@code 30 01}. */
    READ_BASIC_INFO(0x30, 0x01);

    private final byte command;
    private final byte parameter;

    Ga467Command(int command, int parameter) {
        this.command = (byte) command;
        this.parameter = (byte) parameter;
    }

    public byte command() {
        return command;
    }

    public byte parameter() {
        return parameter;
    }

    /** The two head bytes of a request frame: command, parameter. */
    public byte[] head() {
        return new byte[] {command, parameter};
    }
}
