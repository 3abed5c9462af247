import { Button, type ButtonVariant } from "./Button.tsx";

/** What these controls need of an infinite query (TanStack's `useInfiniteQuery` result). */
export interface PagedList {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  isFetchNextPageError: boolean;
  fetchNextPage: () => Promise<unknown>;
}

/** Fetches the next page, with progress on the button; nothing when there is no next page. */
export function LoadMoreButton({
  list,
  variant = "secondary",
  className,
}: {
  list: PagedList;
  variant?: ButtonVariant;
  className?: string;
}) {
  if (!list.hasNextPage) return null;
  return (
    <Button
      variant={variant}
      size="sm"
      className={className}
      pending={list.isFetchingNextPage}
      onClick={() => void list.fetchNextPage()}
    >
      Load more
    </Button>
  );
}

/** Says that the last Load more failed; `what` names the rows ("entries"). */
export function LoadMoreError({ list, what }: { list: PagedList; what: string }) {
  if (!list.isFetchNextPageError) return null;
  return (
    <p role="alert" className="px-5 pb-3 text-[13px] text-danger-soft-fg">
      Couldn't load more {what}. Try again.
    </p>
  );
}
