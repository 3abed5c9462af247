import { Compass } from "lucide-react";
import { Link } from "react-router";
import { buttonClasses } from "../components/ui/Button.tsx";
import { EmptyState } from "../components/ui/EmptyState.tsx";

export function NotFoundPage() {
  return (
    <EmptyState
      icon={Compass}
      title="Page not found"
      description="This address doesn't lead anywhere in Studio. It may have moved, or the link is incomplete."
      action={
        <Link to="/" className={buttonClasses("secondary")}>
          Back to Studio
        </Link>
      }
      spacing="roomy"
    />
  );
}
