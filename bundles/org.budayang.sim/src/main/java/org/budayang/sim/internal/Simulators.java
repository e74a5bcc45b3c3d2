package org.budayang.sim.internal;

import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;

import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceSimulator;
import org.budayang.api.device.SimulatedDevice;
import org.osgi.service.component.annotations.Component;

/** The simulators of the hall's own device types, one service each, as departments register theirs. */
public final class Simulators {
    private Simulators() {
    }

    /** A type and how to make one device of it. */
    abstract static class Type implements DeviceSimulator {
        private final String type;
        private final BiFunction<Map<String, String>, Consumer<byte[]>, SimulatorBase> factory;

        Type(String type, BiFunction<Map<String, String>, Consumer<byte[]>, SimulatorBase> factory) {
            this.type = type;
            this.factory = factory;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public SimulatedDevice start(Map<String, String> options, Consumer<byte[]> toDriver) {
            return factory.apply(options, toDriver).withOptions(options);
        }
    }

    @Component(service = DeviceSimulator.class, property = DeviceDriver.TYPE + "=" + Ga467.TYPE)
    public static final class Ga467 extends Type {
        static final String TYPE = "ga467";

        public Ga467() {
            super(TYPE, (options, toDriver) -> new Ga467Device(toDriver));
        }
    }

    @Component(service = DeviceSimulator.class, property = DeviceDriver.TYPE + "=" + LockBoard.TYPE)
    public static final class LockBoard extends Type {
        static final String TYPE = "8a";

        public LockBoard() {
            super(TYPE, (options, toDriver) -> new LockBusDevice(options, toDriver, System::currentTimeMillis));
        }
    }

    @Component(service = DeviceSimulator.class, property = DeviceDriver.TYPE + "=" + EscPos.TYPE)
    public static final class EscPos extends Type {
        static final String TYPE = "escpos";

        public EscPos() {
            super(TYPE, (options, toDriver) -> new EscPosDevice(toDriver));
        }
    }

    @Component(service = DeviceSimulator.class, property = DeviceDriver.TYPE + "=" + QrScanner.TYPE)
    public static final class QrScanner extends Type {
        static final String TYPE = "qrscanner";

        public QrScanner() {
            super(TYPE, (options, toDriver) -> new QrScannerDevice(toDriver));
        }
    }
}
