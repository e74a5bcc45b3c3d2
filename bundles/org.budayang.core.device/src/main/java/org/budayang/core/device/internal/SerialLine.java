package org.budayang.core.device.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fazecast.jSerialComm.SerialPort;

/**
 * A serial line or pseudo-terminal through jSerialComm, the only class that touches it (after
 * {@link NativeLibrary#prepare} put the native library in place). A reader thread blocks in
 * {@code readBytes} for at most {@value #READ_SLICE_MS} ms at a time and appends what arrives to
 * the channel; a read error (EIO when the pty's other end closed, a USB adapter pulled out) or
 * a failed write means the port is gone.
 */
final class SerialLine implements Wire {
    static final int READ_SLICE_MS = 200;
    static final int WRITE_TIMEOUT_MS = 2000;

    private final String path;
    private final SerialPort port;
    private final PortChannel channel;
    private final Thread reader;
    private volatile boolean closed;

    private SerialLine(String path, SerialPort port, PortChannel channel) {
        this.path = path;
        this.port = port;
        this.channel = channel;
        this.reader = new Thread(this::readLoop, "budayang-serial " + path);
        reader.setDaemon(true);
    }

    /** Opens the line with its settings and starts reading into the channel. */
    static SerialLine open(String path, DeviceConfig.SerialSettings s, PortChannel channel) throws IOException {
        if (!Files.exists(Path.of(path))) {
            throw new IOException("port " + path + " does not exist (unplugged?)");
        }
        SerialPort port = SerialPort.getCommPort(path);
        int parity = switch (s.parity()) {
            case NONE -> SerialPort.NO_PARITY;
            case EVEN -> SerialPort.EVEN_PARITY;
            case ODD -> SerialPort.ODD_PARITY;
        };
        port.setComPortParameters(s.baudRate(), s.dataBits(),
                s.stopBits() == 2 ? SerialPort.TWO_STOP_BITS : SerialPort.ONE_STOP_BIT, parity);
        port.setFlowControl(SerialPort.FLOW_CONTROL_DISABLED);
        port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING,
                READ_SLICE_MS, WRITE_TIMEOUT_MS);
        if (!port.openPort()) {
            throw new IOException("cannot open " + path + " (error " + port.getLastErrorCode() + ")");
        }
        SerialLine line = new SerialLine(path, port, channel);
        channel.attach(line);
        line.reader.start();
        return line;
    }

    private void readLoop() {
        byte[] buf = new byte[1024];
        while (!closed) {
            int n = port.readBytes(buf, buf.length);
            if (closed) {
                return;
            }
            if (n > 0) {
                channel.received(buf, 0, n);
            } else if (n < 0) {
                channel.gone("port " + path + " closed (read error " + port.getLastErrorCode() + ")");
                return;
            }
        }
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        synchronized (this) {
            int written = 0;
            while (written < bytes.length) {
                int n = port.writeBytes(bytes, bytes.length - written, written);
                if (n <= 0) {
                    throw new IOException("port " + path + " accepted " + written + " of " + bytes.length
                            + " bytes (error " + port.getLastErrorCode() + ")");
                }
                written += n;
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        port.closePort();
        if (Thread.currentThread() != reader) {
            try {
                reader.join(READ_SLICE_MS * 3L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
