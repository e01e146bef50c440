package org.d4c.transforms.write;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Function;

/**
 * Runs a source iterator (and a function on each of its elements) on a thread of its own, a few batches ahead of
 * the consumer, so that producing (merging sorted runs, decoding features) and consuming (Parquet encoding and
 * compression) use two cores. Order is kept; memory is bounded by {@code depth} batches of {@code batch} elements. An
 * exception in the producer is rethrown to the consumer; {@link #close} stops the producer.
 */
final class ReadAhead<S, T> implements Iterator<T>, AutoCloseable {
  private static final List<Object> END = new ArrayList<>();

  private final BlockingQueue<Object> queue;
  private final Thread thread;
  private volatile Throwable failure;
  private List<T> current = List.of();
  private int at;
  private boolean ended;

  ReadAhead(String name, Iterator<S> source, Function<S, T> map, int batch, int depth) {
    this.queue = new ArrayBlockingQueue<>(depth);
    this.thread = new Thread(() -> {
      try {
        List<T> chunk = new ArrayList<>(batch);
        while (source.hasNext()) {
          chunk.add(map.apply(source.next()));
          if (chunk.size() == batch) {
            queue.put(chunk);
            chunk = new ArrayList<>(batch);
          }
        }
        if (!chunk.isEmpty()) {
          queue.put(chunk);
        }
        queue.put(END);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Throwable e) { // handed to the consumer, which rethrows it
        failure = e;
        queue.offer(END);
      }
    }, name);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  @SuppressWarnings("unchecked")
  public boolean hasNext() {
    while (!ended && at == current.size()) {
      Object next;
      try {
        next = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading ahead", e);
      }
      if (next == END) {
        ended = true;
        if (failure instanceof RuntimeException r) {
          throw r;
        }
        if (failure instanceof Error err) {
          throw err;
        }
        if (failure != null) {
          throw new IllegalStateException(failure);
        }
      } else {
        current = (List<T>) next;
        at = 0;
      }
    }
    return at < current.size();
  }

  @Override
  public T next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return current.get(at++);
  }

  @Override
  public void close() {
    thread.interrupt();
    queue.clear();
  }
}
