package org.mailkeep.hardware;

/** Told about each completed press of the button. Called on the LED scheduler thread: hand long work off. */
@FunctionalInterface
public interface ButtonListener {
    void pressed(Press press);
}
