package org.mailkeep.hardware;

/** The box's rolled-up health, as the appliance's health model computes it. */
public enum State {
    /** Waiting for the setup wizard. */
    SETUP,
    /** All good. */
    OK,
    /** Working, but look at the dashboard. */
    WARNING,
    /** Something is broken. */
    FAULT
}
